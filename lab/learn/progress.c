/*
 * progress.c: the progress store in SQLite. See progress.h for the data and invariants.
 *
 * Opening is a short ladder, each rung falling to the next only when it must:
 *   1. whose file is it (own_file): only a regular file that starts with SQLite's header
 *      AND carries our application_id (in the file, or in page 1 of its -wal: a database
 *      an older lab left in WAL mode when it was killed) is ours. Anything else (a text
 *      file, another program's SQLite file, an empty file, a FIFO, a directory) is refused
 *      and left untouched: the store goes to memory, progress_refused() says so, and the
 *      commands exit 2. This is read with plain open/read, before SQLite sees the file;
 *   2. no file: create the missing directories (0700), build the database under a
 *      temporary name beside it (0600, schema and application_id committed, closed), then
 *      give it its name with renameat2(RENAME_NOREPLACE) (or link), which never replaces a
 *      file: the name never points at an empty or half-made database, and a file that
 *      appeared meanwhile is kept and looked at instead;
 *   3. ours: look at it: application_id, user_version and integrity_check. A damaged or
 *      newer file is moved aside (invariant 3) and step 2 runs again;
 *   4. WAL mode, then the migrations in one BEGIN IMMEDIATE transaction, which is also the
 *      proof that the file can be written;
 *   5. when any of that fails for want of permission (a read-only file, directory or file
 *      system; a read-only file is caught before SQLite opens it, which would leave -wal
 *      and -shm files behind), the file is copied into an in-memory database (through the
 *      immutable URI form, which creates nothing, unless a -wal exists whose content only a
 *      plain read-only connection sees) and the lab runs on the copy.
 * progress_open_readonly() is rung 1, then rung 5's copy for a file of ours: it never
 * creates, moves or writes anything (a missing file is an empty store).
 *
 * Writes share one shape (tx_run): BEGIN IMMEDIATE, make sure the learner and the lesson's
 * row exist, the op's statements, COMMIT; on SQLITE_BUSY the whole transaction is rolled
 * back and run again, for at most twice the busy timeout in all.
 *
 * Known limits: the damaged file check runs integrity_check, which reads the whole file
 * (fine for a database of a few hundred rows). A file moved aside by one lab while another
 * has it open keeps working in that other lab until it is closed; its later writes land in
 * the moved file.
 */
#include "progress.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* "ACDB": marks a file as ours, so a stranger's SQLite file is never migrated or moved. */
#define PROGRESS_APP_ID 0x41434442
/* Room for a message that names a path or two. */
#define WHY_MAX (2 * PATH_MAX + 1024)

struct progress {
    sqlite3 *db;
    char path[PATH_MAX];
    bool saved;              /* false: the store is in memory */
    char warning[2 * WHY_MAX];
    char errmsg[512];
    int sqlite_rc;           /* the extended code of the last SQLite failure */
    int skipped_names;       /* records the last progress_list skipped (unusable names) */
    bool refused;            /* the file is not ours: left untouched, the store is in memory */
};

/* ---- schema ----------------------------------------------------------------------------- */

/* migrations[v] takes a database from user_version v to v + 1. Never edit one that has
 * shipped: add the next. */
static const char *const migrations[PROGRESS_SCHEMA_VERSION] = {
    /* 0 -> 1 */
    "PRAGMA application_id = 1094927426;" /* PROGRESS_APP_ID */
    "CREATE TABLE learner ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  created TEXT NOT NULL);"
    "CREATE TABLE lesson_progress ("
    "  learner_id INTEGER NOT NULL REFERENCES learner(id),"
    "  lesson TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'started', 'done')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  page INTEGER NOT NULL DEFAULT 0,"
    "  seed INTEGER NOT NULL DEFAULT 0,"
    "  started TEXT,"
    "  updated TEXT NOT NULL,"
    "  PRIMARY KEY (learner_id, lesson));"
    "CREATE TABLE goal_met ("
    "  learner_id INTEGER NOT NULL REFERENCES learner(id),"
    "  lesson TEXT NOT NULL,"
    "  goal TEXT NOT NULL,"
    "  met_at TEXT NOT NULL,"
    "  PRIMARY KEY (learner_id, lesson, goal));"
    "CREATE TABLE scenario_line ("
    "  learner_id INTEGER NOT NULL REFERENCES learner(id),"
    "  lesson TEXT NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  text TEXT NOT NULL,"
    "  PRIMARY KEY (learner_id, lesson, n));",
    /* 1 -> 2: hints and time are counted */
    "ALTER TABLE lesson_progress ADD COLUMN hints_used INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE lesson_progress ADD COLUMN time_spent INTEGER NOT NULL DEFAULT 0;",
    /* 2 -> 3: the content hash of the lesson the saved lines belong to */
    "ALTER TABLE lesson_progress ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';",
};

_Static_assert(PROGRESS_APP_ID == 1094927426, "the migration spells the application id");

/* ---- small helpers ---------------------------------------------------------------------- */

static int fail(progress *p, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->errmsg, sizeof p->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

/* A SQLite failure: remembers the code, so tx_run can tell BUSY from the rest. */
static int fail_db(progress *p, int rc, const char *what)
{
    p->sqlite_rc = rc;
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return fail(p, PROGRESS_EBUSY, "%s: the database is busy", what);
    if ((rc & 0xff) == SQLITE_NOMEM)
        return fail(p, PROGRESS_ENOMEM, "%s: out of memory", what);
    return fail(p, PROGRESS_EDB, "%s: %s", what, p->db ? sqlite3_errmsg(p->db) : sqlite3_errstr(rc));
}

static void add_warning(progress *p, const char *fmt, ...)
{
    size_t len = strlen(p->warning);
    if (len && len + 2 < sizeof p->warning) {
        memcpy(p->warning + len, "\n", 2);
        len++;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->warning + len, sizeof p->warning - len, fmt, ap);
    va_end(ap);
}

static void now_iso(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(int tries)
{
    struct timespec ts = { 0, (long)(tries < 10 ? tries + 1 : 10) * 5000000L };
    nanosleep(&ts, NULL);
}

static void copy_str(char *dst, size_t n, const unsigned char *src)
{
    snprintf(dst, n, "%s", src ? (const char *)src : "");
}

static bool is_busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* Failures that mean "you may not write here" rather than "this file is damaged". */
static bool is_access(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_READONLY: case SQLITE_CANTOPEN: case SQLITE_PERM: case SQLITE_AUTH:
    case SQLITE_IOERR: case SQLITE_FULL:
        return true;
    default:
        return false;
    }
}

static bool is_damage(int rc)
{
    return (rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT;
}

const char *progress_strerror(int code)
{
    switch (code) {
    case PROGRESS_OK: return "ok";
    case PROGRESS_EINVAL: return "invalid argument";
    case PROGRESS_EDB: return "database error";
    case PROGRESS_EBUSY: return "database busy";
    case PROGRESS_ENOMEM: return "out of memory";
    case PROGRESS_EIO: return "file error";
    default: return "unknown error";
    }
}

const char *progress_errmsg(const progress *p) { return p ? p->errmsg : ""; }
const char *progress_warning(const progress *p) { return p && p->warning[0] ? p->warning : NULL; }
const char *progress_path(const progress *p) { return p->path; }
bool progress_saved(const progress *p) { return p->saved; }
bool progress_refused(const progress *p) { return p && p->refused; }

static const char *const status_names[] = { "new", "started", "done" };

const char *progress_status_name(progress_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "?";
}

int progress_status_parse(const char *name, progress_status *s)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, status_names[i])) {
            *s = (progress_status)i;
            return 0;
        }
    return -1;
}

bool progress_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > PROGRESS_NAME_MAX || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
            return false;
    }
    return true;
}

/* ---- where ------------------------------------------------------------------------------ */

static int path_join(char *buf, size_t n, const char *a, const char *b)
{
    int len = snprintf(buf, n, "%s%s%s", a, a[0] && a[strlen(a) - 1] == '/' ? "" : "/", b);
    return len < 0 || (size_t)len >= n ? PROGRESS_EINVAL : PROGRESS_OK;
}

int progress_default_path(const char *db_opt, char *buf, size_t n)
{
    const char *e;
    if (db_opt && *db_opt)
        return (size_t)snprintf(buf, n, "%s", db_opt) < n ? PROGRESS_OK : PROGRESS_EINVAL;
    if ((e = getenv("ACIDBASE_DB")) && *e)
        return (size_t)snprintf(buf, n, "%s", e) < n ? PROGRESS_OK : PROGRESS_EINVAL;
    if ((e = getenv("XDG_DATA_HOME")) && e[0] == '/')
        return path_join(buf, n, e, "acidbase/progress.db");
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
    }
    if (!home)
        return PROGRESS_EINVAL;
    return path_join(buf, n, home, ".local/share/acidbase/progress.db");
}

int progress_default_learner(const char *user_opt, char *buf, size_t n)
{
    const char *name = user_opt;
    if (!name) {
        struct passwd *pw = getpwuid(geteuid());
        name = pw && progress_name_ok(pw->pw_name) ? pw->pw_name : getenv("USER");
        if (!progress_name_ok(name))
            name = "learner";
    }
    if (!progress_name_ok(name) || strlen(name) >= n)
        return PROGRESS_EINVAL;
    snprintf(buf, n, "%s", name);
    return PROGRESS_OK;
}

/* Creates the missing directories above path, each 0700. */
static int make_parents(const char *path, char *why, size_t n)
{
    char dir[PATH_MAX];
    if ((size_t)snprintf(dir, sizeof dir, "%s", path) >= sizeof dir) {
        snprintf(why, n, "the path is too long");
        return -1;
    }
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *s = dir + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        struct stat st;
        if (stat(dir, &st) != 0) {
            if (errno != ENOENT || (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
                snprintf(why, n, "cannot create %s: %s", dir, strerror(errno));
                return -1;
            }
        } else if (!S_ISDIR(st.st_mode)) {
            snprintf(why, n, "cannot create %s: %s", path, strerror(ENOTDIR));
            return -1;
        }
        if (!c)
            return 0;
        *s = c;
    }
}

/* The directory path is in: "." for a bare name, "/" for a file at the root. */
static void parent_dir(const char *path, char *dir, size_t n)
{
    snprintf(dir, n, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else
        slash[slash == dir] = '\0';
}

/* Whose file is at path (rung 1 of the ladder). */
enum { OWN_MISSING, OWN_OURS, OWN_FOREIGN, OWN_UNREADABLE };

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The application_id in the last copy of page 1 that path's -wal holds; 0 when there is
 * no -wal or no page 1 in it. (The WAL format: a 32-byte header whose bytes 8..11 are the
 * page size, then frames of a 24-byte header, whose first 4 bytes are the page number,
 * and one page. sqlite.org/fileformat2.html, section 4.) */
static uint32_t wal_app_id(const char *path)
{
    char wal[PATH_MAX + 8];
    snprintf(wal, sizeof wal, "%s-wal", path);
    int fd = open(wal, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    uint32_t id = 0;
    unsigned char h[32];
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, h, 32, 0) == 32 &&
        (be32(h) & 0xfffffffe) == 0x377f0682) {
        uint32_t page = be32(h + 8);
        if (page >= 512 && page <= 65536 && (page & (page - 1)) == 0)
            for (off_t at = 32; at + 24 + (off_t)page <= st.st_size; at += 24 + page) {
                unsigned char f[24], a[4];
                if (pread(fd, f, 24, at) != 24)
                    break;
                if (be32(f) == 1 && pread(fd, a, 4, at + 24 + 68) == 4)
                    id = be32(a);
            }
    }
    close(fd);
    return id;
}

/* Reads the start of path (never blocking on a FIFO, never writing) and says whether the
 * file is ours; why says what it is otherwise. */
static int own_file(const char *path, char *why, size_t n)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)   /* ENOTDIR: making the directories will say why */
            return OWN_MISSING;
        snprintf(why, n, "%s cannot be read (%s)", path, strerror(errno));
        return errno == ENOTDIR || errno == ELOOP ? OWN_FOREIGN : OWN_UNREADABLE;
    }
    struct stat st;
    unsigned char h[100];
    ssize_t got = 0;
    int own = OWN_FOREIGN;
    if (fstat(fd, &st) != 0)
        snprintf(why, n, "%s cannot be read (%s)", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        snprintf(why, n, "%s is not a regular file", path);
    else if ((got = pread(fd, h, sizeof h, 0)) < 0)
        snprintf(why, n, "%s cannot be read (%s)", path, strerror(errno)), own = OWN_UNREADABLE;
    else if (got == 0)
        snprintf(why, n, "%s is an empty file", path);
    else if (got < (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
        snprintf(why, n, "%s is not a SQLite database", path);
    else if (be32(h + 68) == PROGRESS_APP_ID || (be32(h + 68) == 0 && wal_app_id(path) == PROGRESS_APP_ID))
        own = OWN_OURS;
    else
        snprintf(why, n, "%s is a SQLite database of another program (application_id %u, ours is %u)",
                 path, be32(h + 68), (unsigned)PROGRESS_APP_ID);
    close(fd);
    return own;
}

/* Renames path (and its -wal) to path.corrupt-N, the first free N; removes its -shm. */
static int move_aside(const char *path, char *dst, size_t n, char *why, size_t wn)
{
    struct stat st;
    for (int i = 1;; i++) {
        if ((size_t)snprintf(dst, n, "%s.corrupt-%d", path, i) >= n || i > 9999) {
            snprintf(why, wn, "no free name to move %s to", path);
            return -1;
        }
        if (lstat(dst, &st) != 0 && errno == ENOENT)
            break;
    }
    if (rename(path, dst) != 0 && errno != ENOENT) {   /* ENOENT: another lab moved it */
        snprintf(why, wn, "cannot move %s aside: %s", path, strerror(errno));
        return -1;
    }
    char from[PATH_MAX + 8], to[PATH_MAX + 48];
    snprintf(from, sizeof from, "%s-wal", path);
    snprintf(to, sizeof to, "%s-wal", dst);
    if (rename(from, to) != 0 && errno != ENOENT)
        unlink(from);    /* an old log must never be replayed into the fresh file */
    snprintf(from, sizeof from, "%s-shm", path);
    unlink(from);
    return 0;
}

/* ---- statements ------------------------------------------------------------------------- */

/* The values an op's statements may name: :learner, :lesson, :num, :text, :now. */
typedef struct args {
    sqlite3_int64 learner;
    const char *lesson;
    sqlite3_int64 num;
    const char *text;
    const char *now;
} args;

static int prepare(progress *p, const char *sql, const args *a, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(p->db, sql, -1, st, NULL);
    if (rc != SQLITE_OK)
        return fail_db(p, rc, "preparing a statement");
    if (!a)
        return PROGRESS_OK;
    int i;
    if ((i = sqlite3_bind_parameter_index(*st, ":learner")))
        sqlite3_bind_int64(*st, i, a->learner);
    if ((i = sqlite3_bind_parameter_index(*st, ":lesson")))
        a->lesson ? sqlite3_bind_text(*st, i, a->lesson, -1, SQLITE_STATIC) : sqlite3_bind_null(*st, i);
    if ((i = sqlite3_bind_parameter_index(*st, ":num")))
        sqlite3_bind_int64(*st, i, a->num);
    if ((i = sqlite3_bind_parameter_index(*st, ":text")))
        a->text ? sqlite3_bind_text(*st, i, a->text, -1, SQLITE_STATIC) : sqlite3_bind_null(*st, i);
    if ((i = sqlite3_bind_parameter_index(*st, ":now")))
        sqlite3_bind_text(*st, i, a->now ? a->now : "", -1, SQLITE_STATIC);
    return PROGRESS_OK;
}

/* Runs one statement to the end, ignoring any rows. */
static int run_sql(progress *p, const char *sql, const args *a)
{
    sqlite3_stmt *st;
    int rc = prepare(p, sql, a, &st);
    if (rc)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? PROGRESS_OK : fail_db(p, rc, "writing progress");
}

/* One integer from a query (0 when it returns no row). */
static int query_int(progress *p, const char *sql, const args *a, sqlite3_int64 *out)
{
    sqlite3_stmt *st;
    int rc = prepare(p, sql, a, &st);
    if (rc)
        return rc;
    *out = 0;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? PROGRESS_OK : fail_db(p, rc, "reading progress");
}

/* exec with retries on BUSY, outside any transaction (opening). */
static int exec_retry(progress *p, const char *sql)
{
    double until = now_seconds() + 2.0 * PROGRESS_BUSY_TIMEOUT_MS / 1000.0;
    for (int tries = 0;; tries++) {
        int rc = sqlite3_exec(p->db, sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return PROGRESS_OK;
        if (!is_busy(rc) || now_seconds() > until)
            return fail_db(p, sqlite3_extended_errcode(p->db), "opening the progress database");
        nap(tries);
    }
}

/* Runs body inside a transaction (BEGIN IMMEDIATE when writing), again from the start
 * while SQLite says busy (invariant 1). */
static int tx_run(progress *p, bool write, int (*body)(progress *p, void *ctx), void *ctx)
{
    double until = now_seconds() + 2.0 * PROGRESS_BUSY_TIMEOUT_MS / 1000.0;
    for (int tries = 0;; tries++) {
        p->sqlite_rc = SQLITE_OK;
        int rc = sqlite3_exec(p->db, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            rc = fail_db(p, sqlite3_extended_errcode(p->db), "starting a transaction");
        } else {
            rc = body(p, ctx);
            if (rc == PROGRESS_OK) {
                int src = sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL);
                if (src == SQLITE_OK)
                    return PROGRESS_OK;
                rc = fail_db(p, sqlite3_extended_errcode(p->db), "committing");
            }
            if (!sqlite3_get_autocommit(p->db))
                sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
        }
        if (rc != PROGRESS_EBUSY || now_seconds() > until)
            return rc;
        nap(tries);
    }
}

/* ---- opening ---------------------------------------------------------------------------- */

/* What the open connection holds. */
enum { LOOK_OK, LOOK_DAMAGED, LOOK_NEWER, LOOK_FOREIGN, LOOK_ACCESS, LOOK_FAIL };

static int look(progress *p, char *why, size_t n)
{
    sqlite3_int64 app = 0, version = 0, tables = 0;
    double until = now_seconds() + 2.0 * PROGRESS_BUSY_TIMEOUT_MS / 1000.0;
    for (int tries = 0;; tries++) {
        int rc = query_int(p, "PRAGMA application_id", NULL, &app);
        if (!rc)
            rc = query_int(p, "PRAGMA user_version", NULL, &version);
        if (!rc)
            rc = query_int(p, "SELECT count(*) FROM sqlite_schema", NULL, &tables);
        sqlite3_stmt *st = NULL;
        if (!rc && (rc = prepare(p, "PRAGMA integrity_check(1)", NULL, &st)) == PROGRESS_OK) {
            int s = sqlite3_step(st);
            if (s == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
                snprintf(why, n, "integrity_check: %.200s", (const char *)sqlite3_column_text(st, 0));
                sqlite3_finalize(st);
                return LOOK_DAMAGED;
            }
            if (s != SQLITE_ROW)
                rc = fail_db(p, s, "checking the progress database");
        }
        sqlite3_finalize(st);
        if (rc == PROGRESS_OK)
            break;
        if (rc == PROGRESS_EBUSY && now_seconds() < until) {
            nap(tries);
            continue;
        }
        int x = p->sqlite_rc;
        snprintf(why, n, "%s", sqlite3_errstr(x));
        if (is_damage(x))
            return LOOK_DAMAGED;
        return is_access(x) ? LOOK_ACCESS : LOOK_FAIL;
    }
    if (app != PROGRESS_APP_ID && (app != 0 || version != 0 || tables != 0)) {
        snprintf(why, n, "a SQLite database of another program");
        return LOOK_FOREIGN;
    }
    if (version > PROGRESS_SCHEMA_VERSION || version < 0) {
        snprintf(why, n, "its schema version %lld is newer than this lab's (%d)",
                 (long long)version, PROGRESS_SCHEMA_VERSION);
        return LOOK_NEWER;
    }
    return LOOK_OK;
}

static int migrate_body(progress *p, void *ctx)
{
    sqlite3_int64 v;
    int rc = query_int(p, "PRAGMA user_version", NULL, &v);
    for (; !rc && v < PROGRESS_SCHEMA_VERSION; v++) {
        int src = sqlite3_exec(p->db, migrations[v], NULL, NULL, NULL);
        if (src != SQLITE_OK)
            rc = fail_db(p, sqlite3_extended_errcode(p->db), "upgrading the progress database");
    }
    /* Written even when nothing changed: it proves the file can be written. */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", PROGRESS_SCHEMA_VERSION);
    return rc ? rc : run_sql(p, sql, NULL);
}

static int migrate(progress *p)
{
    return tx_run(p, true, migrate_body, NULL);
}

static void close_db(progress *p)
{
    if (p->db)
        sqlite3_close(p->db);
    p->db = NULL;
}

static int open_conn(progress *p, const char *name, int flags)
{
    int rc = sqlite3_open_v2(name, &p->db, flags, NULL);
    if (rc != SQLITE_OK) {
        rc = p->db ? sqlite3_extended_errcode(p->db) : rc;
        close_db(p);
        p->sqlite_rc = rc;
        return -1;
    }
    sqlite3_extended_result_codes(p->db, 1);
    sqlite3_busy_timeout(p->db, PROGRESS_BUSY_TIMEOUT_MS);
    return 0;
}

/* Rung 2: a new database, whole and recognisably ours before it has its name. Returns 0
 * when path now names a file (ours, or one that appeared meanwhile: the caller looks at it
 * again), -1 with why when nothing could be made there. */
static int create_fresh(progress *p, char *why, size_t n)
{
    char tmp[PATH_MAX + 16];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.new-XXXXXX", p->path) >= sizeof tmp) {
        snprintf(why, n, "cannot create %s: the path is too long", p->path);
        return -1;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);   /* 0600 */
    if (fd < 0) {
        snprintf(why, n, "cannot create %s: %s", p->path, strerror(errno));
        return -1;
    }
    close(fd);
    int rc = open_conn(p, tmp, SQLITE_OPEN_READWRITE) ? PROGRESS_EDB : migrate(p);
    int src = p->sqlite_rc;
    close_db(p);
    if (rc != PROGRESS_OK) {
        unlink(tmp);
        char jr[PATH_MAX + 32];
        snprintf(jr, sizeof jr, "%s-journal", tmp);
        unlink(jr);
        struct statvfs vfs;
        char dir[PATH_MAX];
        parent_dir(p->path, dir, sizeof dir);
        if (statvfs(dir, &vfs) == 0 && vfs.f_bavail == 0)
            snprintf(why, n, "cannot create %s: the disk is full (%s)", p->path, sqlite3_errstr(src));
        else
            snprintf(why, n, "cannot create %s: %s", p->path, p->errmsg);
        return -1;
    }
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, p->path, RENAME_NOREPLACE) == 0)
        return 0;
    int e = errno;
    if (e == EINVAL || e == ENOSYS) {   /* a file system without RENAME_NOREPLACE */
        e = link(tmp, p->path) == 0 ? 0 : errno;
        unlink(tmp);
    } else {
        unlink(tmp);
    }
    if (e == 0 || e == EEXIST)
        return 0;
    snprintf(why, n, "cannot create %s: %s", p->path, strerror(e));
    return -1;
}

/* The file as a URI with immutable=1: readable without a -shm, in a read-only directory. */
static void immutable_uri(const char *path, char *buf, size_t n)
{
    size_t o = (size_t)snprintf(buf, n, "file:");
    for (const char *s = path; *s && o + 4 < n; s++) {
        if (*s == '%' || *s == '?' || *s == '#')
            o += (size_t)snprintf(buf + o, n - o, "%%%02X", (unsigned char)*s);
        else
            buf[o++] = *s;
    }
    snprintf(buf + o, n - o, "?immutable=1");
}

/* Copies the file into the in-memory database p->db; false when it cannot be read. */
static bool copy_into_memory(progress *p)
{
    char uri[PATH_MAX * 3 + 32], wal[PATH_MAX + 8];
    immutable_uri(p->path, uri, sizeof uri);
    snprintf(wal, sizeof wal, "%s-wal", p->path);
    /* With no -wal there is nothing the immutable form could miss, and it creates no
     * files; with one, a plain read-only connection reads what the log holds too. */
    bool has_wal = access(wal, F_OK) == 0;
    const char *names[2] = { has_wal ? p->path : uri, has_wal ? uri : p->path };
    int flags[2] = { has_wal ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                     has_wal ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : SQLITE_OPEN_READONLY };
    /* Without a -wal, a plain read-only connection would see nothing more, and it would
     * create a -wal and -shm beside the file that it does not remove: only the immutable
     * form is tried. */
    for (int i = 0; i < (has_wal ? 2 : 1); i++) {
        sqlite3 *src = NULL;
        if (sqlite3_open_v2(names[i], &src, flags[i], NULL) != SQLITE_OK) {
            sqlite3_close(src);
            continue;
        }
        sqlite3_busy_timeout(src, PROGRESS_BUSY_TIMEOUT_MS);
        sqlite3_backup *b = sqlite3_backup_init(p->db, "main", src, "main");
        int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
        if (b)
            sqlite3_backup_finish(b);
        sqlite3_close(src);
        if (rc == SQLITE_DONE) {
            char why[256];
            if (look(p, why, sizeof why) == LOOK_OK)
                return true;
        }
        /* Start over from an empty database. */
        sqlite3_close(p->db);
        p->db = NULL;
        if (open_conn(p, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY))
            return false;
    }
    return false;
}

/* The last rung: progress in memory, with what the file held when it can be read. */
static int open_memory(progress *p, bool copy, const char *why)
{
    close_db(p);
    p->saved = false;
    if (open_conn(p, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY))
        return fail(p, PROGRESS_ENOMEM, "cannot open an in-memory database");
    bool copied = copy && copy_into_memory(p);
    if (!p->db)
        return fail(p, PROGRESS_ENOMEM, "cannot open an in-memory database");
    if (copied)
        add_warning(p, "progress is not being saved: %s. The progress saved there is shown, "
                       "but this session's is kept in memory only.", why);
    else
        add_warning(p, "progress is not being saved: %s. This session's progress is kept in "
                       "memory only.", why);
    return migrate(p);
}

/* Why the file cannot be written, in the learner's terms: the file, or its directory. */
static void unwritable(progress *p, int sqlite_rc, char *why, size_t n)
{
    char dir[PATH_MAX];
    parent_dir(p->path, dir, sizeof dir);
    int fd = open(p->path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, n, "%s cannot be written: the file is read-only (%s)", p->path, strerror(errno));
        return;
    }
    close(fd);
    struct statvfs vfs;
    if (faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) != 0)
        snprintf(why, n, "%s cannot be written: its directory %s is read-only (%s)", p->path, dir,
                 strerror(errno));
    else if (statvfs(dir, &vfs) == 0 && vfs.f_bavail == 0)
        snprintf(why, n, "%s cannot be written: the disk is full (%s)", p->path, sqlite3_errstr(sqlite_rc));
    else
        snprintf(why, n, "%s cannot be written (%s)", p->path, sqlite3_errstr(sqlite_rc));
}

/* Rung 1's refusal: the file is not ours; nothing is touched, the store is in memory. */
static int refuse(progress *p, const char *why)
{
    close_db(p);
    p->refused = true;
    p->saved = false;
    if (open_conn(p, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY))
        return fail(p, PROGRESS_ENOMEM, "cannot open an in-memory database");
    add_warning(p, "%s, so it is not an acidbase progress database: refused and left untouched "
                   "(give another file with --db). Nothing is read from it or saved to it.", why);
    return migrate(p);
}

static int open_file(progress *p)
{
    char why[WHY_MAX];
    /* Each round: make the file if missing, then use it, or move it aside and go round. */
    for (int round = 0; round < 3; round++) {
        int own = own_file(p->path, why, sizeof why);
        if (own == OWN_MISSING) {
            if (make_parents(p->path, why, sizeof why) != 0 || create_fresh(p, why, sizeof why) != 0)
                return open_memory(p, false, why);
            own = own_file(p->path, why, sizeof why);
        }
        if (own == OWN_FOREIGN)
            return refuse(p, why);
        struct stat lst;
        if (own == OWN_MISSING && lstat(p->path, &lst) == 0) {
            snprintf(why, sizeof why, "%s is a symbolic link to a file that does not exist", p->path);
            return refuse(p, why);
        }
        if (own == OWN_MISSING)
            continue;   /* made, and at once moved or removed by someone else */
        /* A file we may not write: straight to the copy, before SQLite, opening it read-
         * write, would leave -wal and -shm files behind that nobody can remove. */
        if (faccessat(AT_FDCWD, p->path, R_OK | W_OK, AT_EACCESS) != 0 &&
            (errno == EACCES || errno == EPERM || errno == EROFS)) {
            unwritable(p, SQLITE_READONLY, why, sizeof why);
            return open_memory(p, true, why);
        }
        if (open_conn(p, p->path, SQLITE_OPEN_READWRITE)) {
            snprintf(why, sizeof why, "cannot open %s: %s", p->path, sqlite3_errstr(p->sqlite_rc));
            return open_memory(p, true, why);
        }
        char what[256];
        int seen = look(p, what, sizeof what);
        if (seen == LOOK_DAMAGED || seen == LOOK_NEWER) {
            close_db(p);
            char dst[PATH_MAX + 32];
            if (move_aside(p->path, dst, sizeof dst, why, sizeof why) != 0)
                return open_memory(p, false, why);
            add_warning(p, "%s was damaged (%s); it was moved to %s and a fresh progress "
                           "database started.", p->path, what, dst);
            continue;
        }
        if (seen == LOOK_FOREIGN) {
            close_db(p);
            snprintf(why, sizeof why, "%s is %s", p->path, what);
            return refuse(p, why);
        }
        if (seen == LOOK_ACCESS) {
            unwritable(p, p->sqlite_rc, why, sizeof why);
            return open_memory(p, true, why);
        }
        if (seen != LOOK_OK) {
            snprintf(why, sizeof why, "%s cannot be read (%s)", p->path, what);
            return open_memory(p, true, why);
        }
        /* NORMAL is WAL's usual pairing: a crash of the lab loses nothing, a power cut at
         * most the last few changes, and a commit costs no fsync. */
        int rc = exec_retry(p, "PRAGMA journal_mode = WAL");
        if (!rc)
            rc = exec_retry(p, "PRAGMA synchronous = NORMAL");
        if (!rc && sqlite3_db_readonly(p->db, "main") == 1) {
            p->sqlite_rc = SQLITE_READONLY;
            rc = PROGRESS_EDB;
        }
        if (!rc)
            rc = migrate(p);
        if (rc == PROGRESS_OK) {
            p->saved = true;
            return PROGRESS_OK;
        }
        if (rc == PROGRESS_ENOMEM)
            return rc;
        if (rc == PROGRESS_EBUSY) {
            snprintf(why, sizeof why, "%s stayed busy (another program holds it)", p->path);
            return open_memory(p, true, why);
        }
        if (is_access(p->sqlite_rc)) {
            unwritable(p, p->sqlite_rc, why, sizeof why);
            return open_memory(p, true, why);
        }
        snprintf(why, sizeof why, "%s: %s", p->path, p->errmsg);
        return open_memory(p, true, why);
    }
    return open_memory(p, false, "the progress database kept failing its checks");
}

int progress_open(const char *path, progress **out)
{
    *out = NULL;
    progress *p = calloc(1, sizeof *p);
    if (!p)
        return PROGRESS_ENOMEM;
    int rc;
    if (progress_default_path(path, p->path, sizeof p->path) != PROGRESS_OK) {
        snprintf(p->path, sizeof p->path, ":memory:");
        rc = open_memory(p, false, path ? "the database path is too long"
                                        : "there is no home directory to keep it in");
    } else {
        rc = open_file(p);
    }
    if (rc == PROGRESS_OK)
        run_sql(p, "PRAGMA foreign_keys = ON", NULL);
    if (rc != PROGRESS_OK || !p->db) {
        progress_close(p);
        return rc ? rc : PROGRESS_EDB;
    }
    *out = p;
    return PROGRESS_OK;
}

int progress_open_readonly(const char *path, progress **out)
{
    *out = NULL;
    progress *p = calloc(1, sizeof *p);
    if (!p)
        return PROGRESS_ENOMEM;
    char why[WHY_MAX];
    int own = OWN_MISSING, rc;
    if (progress_default_path(path, p->path, sizeof p->path) != PROGRESS_OK)
        snprintf(p->path, sizeof p->path, ":memory:");
    else
        own = own_file(p->path, why, sizeof why);
    if (own == OWN_FOREIGN) {
        rc = refuse(p, why);
    } else if (open_conn(p, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY)) {
        rc = fail(p, PROGRESS_ENOMEM, "cannot open an in-memory database");
    } else {
        /* Nothing there: no progress yet, and nothing is created. Ours: a copy, read
         * through the immutable form (or read-only when a -wal holds part of it). */
        if (own == OWN_OURS && !copy_into_memory(p))
            add_warning(p, "%s cannot be read as a progress database (it may be damaged); it was left "
                           "as it is, and no progress is shown.", p->path);
        else if (own == OWN_UNREADABLE)
            add_warning(p, "%s; no progress is shown.", why);
        rc = p->db ? migrate(p) : fail(p, PROGRESS_ENOMEM, "cannot open an in-memory database");
    }
    if (rc == PROGRESS_OK)
        run_sql(p, "PRAGMA foreign_keys = ON", NULL);
    if (rc != PROGRESS_OK || !p->db) {
        progress_close(p);
        return rc ? rc : PROGRESS_EDB;
    }
    *out = p;
    return PROGRESS_OK;
}

void progress_close(progress *p)
{
    if (!p)
        return;
    close_db(p);
    free(p);
}

/* ---- writing ---------------------------------------------------------------------------- */

/* Every op: the learner and lesson, what its statements bind, and the statements. */
typedef struct op {
    const char *learner, *lesson;
    args a;
    const char *const *sql;              /* NULL-terminated */
    bool no_row;                         /* do not create the lesson's row (reset) */
    int (*more)(progress *p, struct op *o);
    const char *const *lines;            /* save_lines */
    int nlines;
    bool *first;                         /* goal_met */
} op;

#define TOUCH "updated = :now, started = COALESCE(started, :now), " \
              "status = CASE status WHEN 'new' THEN 'started' ELSE status END"
#define ROW " WHERE learner_id = :learner AND lesson = :lesson"

static int op_body(progress *p, void *ctx)
{
    op *o = ctx;
    int rc = run_sql(p, "INSERT OR IGNORE INTO learner (name, created) VALUES (:text, :now)",
                     &(args){ .text = o->learner, .now = o->a.now });
    if (!rc)
        rc = query_int(p, "SELECT id FROM learner WHERE name = :text", &(args){ .text = o->learner },
                       &o->a.learner);
    if (!rc && o->lesson && !o->no_row)
        rc = run_sql(p, "INSERT OR IGNORE INTO lesson_progress (learner_id, lesson, updated) "
                        "VALUES (:learner, :lesson, :now)", &o->a);
    for (int i = 0; !rc && o->sql && o->sql[i]; i++)
        rc = run_sql(p, o->sql[i], &o->a);
    if (!rc && o->more)
        rc = o->more(p, o);
    return rc;
}

static int op_run(progress *p, op *o)
{
    if (!progress_name_ok(o->learner))
        return fail(p, PROGRESS_EINVAL, "'%s' is not a usable learner name", o->learner ? o->learner : "");
    if (o->lesson && !progress_name_ok(o->lesson))
        return fail(p, PROGRESS_EINVAL, "'%s' is not a usable lesson id", o->lesson);
    char now[32];
    now_iso(now);
    o->a.lesson = o->lesson;
    o->a.now = now;
    p->errmsg[0] = '\0';
    int rc = tx_run(p, true, op_body, o);
    assert(sqlite3_get_autocommit(p->db));      /* invariant 1: no transaction left open */
    return rc;
}

int progress_attempt(progress *p, const char *learner, const char *lesson)
{
    static const char *const sql[] = {
        "UPDATE lesson_progress SET " TOUCH ", attempts = attempts + 1" ROW,
        "DELETE FROM scenario_line" ROW,
        NULL,
    };
    return op_run(p, &(op){ .learner = learner, .lesson = lesson, .sql = sql });
}

static int save_lines_more(progress *p, op *o)
{
    sqlite3_stmt *st;
    int rc = prepare(p, "INSERT INTO scenario_line (learner_id, lesson, n, text) "
                        "VALUES (:learner, :lesson, :num, :text)", &o->a, &st);
    if (rc)
        return rc;
    int ni = sqlite3_bind_parameter_index(st, ":num"), ti = sqlite3_bind_parameter_index(st, ":text");
    for (int i = 0; i < o->nlines && !rc; i++) {
        sqlite3_bind_int64(st, ni, i + 1);
        sqlite3_bind_text(st, ti, o->lines[i], -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        if (s != SQLITE_DONE)
            rc = fail_db(p, s, "saving the scenario");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int progress_save_lines(progress *p, const char *learner, const char *lesson, uint64_t seed,
                        const char *const *lines, int n)
{
    static const char *const sql[] = {
        "UPDATE lesson_progress SET " TOUCH ", seed = :num" ROW,
        "DELETE FROM scenario_line" ROW,
        NULL,
    };
    if (n < 0 || (n > 0 && !lines))
        return fail(p, PROGRESS_EINVAL, "no lines to save");
    for (int i = 0; i < n; i++)
        if (!lines[i])
            return fail(p, PROGRESS_EINVAL, "line %d is missing", i + 1);
    return op_run(p, &(op){ .learner = learner, .lesson = lesson, .sql = sql,
                            .a.num = (sqlite3_int64)seed, .more = save_lines_more,
                            .lines = lines, .nlines = n });
}

static int goal_more(progress *p, op *o)
{
    int rc = run_sql(p, "INSERT OR IGNORE INTO goal_met (learner_id, lesson, goal, met_at) "
                        "VALUES (:learner, :lesson, :text, :now)", &o->a);
    if (!rc && o->first)
        *o->first = sqlite3_changes(p->db) > 0;
    return rc;
}

int progress_goal_met(progress *p, const char *learner, const char *lesson, const char *goal,
                      bool *first)
{
    static const char *const sql[] = { "UPDATE lesson_progress SET " TOUCH ROW, NULL };
    if (first)
        *first = false;
    if (!progress_name_ok(goal))
        return fail(p, PROGRESS_EINVAL, "'%s' is not a usable goal name", goal ? goal : "");
    return op_run(p, &(op){ .learner = learner, .lesson = lesson, .sql = sql, .a.text = goal,
                            .more = goal_more, .first = first });
}

int progress_hint(progress *p, const char *learner, const char *lesson)
{
    static const char *const sql[] = {
        "UPDATE lesson_progress SET " TOUCH ", hints_used = hints_used + 1" ROW, NULL };
    return op_run(p, &(op){ .learner = learner, .lesson = lesson, .sql = sql });
}

int progress_set_hash(progress *p, const char *learner, const char *lesson, const char *hash)
{
    static const char *const sql[] = {
        "UPDATE lesson_progress SET " TOUCH ", content_hash = :text" ROW, NULL };
    if (!hash || strlen(hash) != 16 || strspn(hash, "0123456789abcdef") != 16)
        return fail(p, PROGRESS_EINVAL, "'%s' is not a content hash (16 hex digits)", hash ? hash : "");
    return op_run(p, &(op){ .learner = learner, .lesson = lesson, .sql = sql, .a.text = hash });
}

int progress_add_time(progress *p, const char *learner, const char *lesson, int64_t seconds)
{
    static const char *const sql[] = {
        "UPDATE lesson_progress SET " TOUCH ", time_spent = time_spent + :num" ROW, NULL };
    if (seconds < 0 || seconds > INT32_MAX)
        return fail(p, PROGRESS_EINVAL, "%" PRId64 " is not a time to add", seconds);
    return op_run(p, &(op){ .learner = learner, .lesson = lesson, .sql = sql, .a.num = seconds });
}

int progress_set_page(progress *p, const char *learner, const char *lesson, int page)
{
    static const char *const sql[] = { "UPDATE lesson_progress SET " TOUCH ", page = :num" ROW, NULL };
    if (page < 0)
        return fail(p, PROGRESS_EINVAL, "%d is not a page", page);
    return op_run(p, &(op){ .learner = learner, .lesson = lesson, .sql = sql, .a.num = page });
}

int progress_set_status(progress *p, const char *learner, const char *lesson, progress_status s)
{
    static const char *const sql[] = {
        "UPDATE lesson_progress SET updated = :now, status = :text, "
        "started = CASE WHEN :text = 'new' THEN started ELSE COALESCE(started, :now) END" ROW,
        NULL,
    };
    if ((unsigned)s > PROGRESS_DONE)
        return fail(p, PROGRESS_EINVAL, "%d is not a status", (int)s);
    return op_run(p, &(op){ .learner = learner, .lesson = lesson, .sql = sql,
                            .a.text = progress_status_name(s) });
}

int progress_reset(progress *p, const char *learner, const char *lesson)
{
    static const char *const sql[] = {
        "DELETE FROM goal_met WHERE learner_id = :learner AND (:lesson IS NULL OR lesson = :lesson)",
        "DELETE FROM scenario_line WHERE learner_id = :learner AND (:lesson IS NULL OR lesson = :lesson)",
        "DELETE FROM lesson_progress WHERE learner_id = :learner AND (:lesson IS NULL OR lesson = :lesson)",
        NULL,
    };
    return op_run(p, &(op){ .learner = learner, .lesson = lesson, .sql = sql, .no_row = true });
}

/* ---- reading ---------------------------------------------------------------------------- */

void progress_rec_free(progress_rec *rec)
{
    if (!rec)
        return;
    for (int i = 0; i < rec->nlines; i++)
        free(rec->lines[i]);
    free(rec->lines);
    free(rec->goals);
    memset(rec, 0, sizeof *rec);
}

typedef struct get_ctx {
    const char *learner, *lesson;
    progress_rec *rec;
} get_ctx;

static int get_body(progress *p, void *ctx)
{
    get_ctx *g = ctx;
    progress_rec *rec = g->rec;
    progress_rec_free(rec);
    snprintf(rec->lesson, sizeof rec->lesson, "%s", g->lesson);
    args a = { .text = g->learner, .lesson = g->lesson };
    int rc = query_int(p, "SELECT id FROM learner WHERE name = :text", &a, &a.learner);
    if (rc || a.learner == 0)
        return rc;

    sqlite3_stmt *st;
    if ((rc = prepare(p, "SELECT status, attempts, hints_used, time_spent, page, seed, "
                         "coalesce(started, ''), updated, content_hash FROM lesson_progress" ROW, &a, &st)))
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        progress_status ps = PROGRESS_NEW;
        progress_status_parse((const char *)sqlite3_column_text(st, 0), &ps);
        rec->status = ps;
        rec->attempts = sqlite3_column_int(st, 1);
        rec->hints_used = sqlite3_column_int(st, 2);
        rec->time_spent = sqlite3_column_int64(st, 3);
        rec->page = sqlite3_column_int(st, 4);
        rec->seed = (uint64_t)sqlite3_column_int64(st, 5);
        copy_str(rec->started, sizeof rec->started, sqlite3_column_text(st, 6));
        copy_str(rec->updated, sizeof rec->updated, sqlite3_column_text(st, 7));
        copy_str(rec->hash, sizeof rec->hash, sqlite3_column_text(st, 8));
    }
    sqlite3_finalize(st);
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        return fail_db(p, s, "reading progress");
    if (s == SQLITE_DONE)
        return PROGRESS_OK;

    if ((rc = prepare(p, "SELECT goal, met_at FROM goal_met" ROW " ORDER BY met_at, rowid", &a, &st)))
        return rc;
    int cap = 0;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (rec->ngoals == cap) {
            cap = cap ? cap * 2 : 8;
            progress_goal *v = realloc(rec->goals, (size_t)cap * sizeof *v);
            if (!v) {
                sqlite3_finalize(st);
                return fail(p, PROGRESS_ENOMEM, "out of memory");
            }
            rec->goals = v;
        }
        progress_goal *gl = &rec->goals[rec->ngoals++];
        copy_str(gl->name, sizeof gl->name, sqlite3_column_text(st, 0));
        copy_str(gl->met_at, sizeof gl->met_at, sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return fail_db(p, s, "reading goals");

    if ((rc = prepare(p, "SELECT text FROM scenario_line" ROW " ORDER BY n", &a, &st)))
        return rc;
    cap = 0;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (rec->nlines == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = realloc(rec->lines, (size_t)cap * sizeof *v);
            if (!v) {
                sqlite3_finalize(st);
                return fail(p, PROGRESS_ENOMEM, "out of memory");
            }
            rec->lines = v;
        }
        const unsigned char *t = sqlite3_column_text(st, 0);
        if (!(rec->lines[rec->nlines] = strdup(t ? (const char *)t : ""))) {
            sqlite3_finalize(st);
            return fail(p, PROGRESS_ENOMEM, "out of memory");
        }
        rec->nlines++;
    }
    sqlite3_finalize(st);
    return s == SQLITE_DONE ? PROGRESS_OK : fail_db(p, s, "reading the scenario");
}

int progress_get(progress *p, const char *learner, const char *lesson, progress_rec *rec)
{
    memset(rec, 0, sizeof *rec);
    if (!progress_name_ok(learner) || !progress_name_ok(lesson))
        return fail(p, PROGRESS_EINVAL, "'%s' / '%s' is not a usable learner and lesson",
                    learner ? learner : "", lesson ? lesson : "");
    int rc = tx_run(p, false, get_body, &(get_ctx){ .learner = learner, .lesson = lesson, .rec = rec });
    if (rc)
        progress_rec_free(rec);
    return rc;
}

/* A list of names read by one query (progress_list, progress_learners). */
typedef struct names_ctx {
    const char *sql;
    const char *text;
    char **v;
    int n, cap;
} names_ctx;

static void names_clear(names_ctx *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->v[i]);
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

static int names_body(progress *p, void *ctx)
{
    names_ctx *c = ctx;
    names_clear(c);
    sqlite3_stmt *st;
    int rc = prepare(p, c->sql, &(args){ .text = c->text }, &st);
    if (rc)
        return rc;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 32;
            char **v = realloc(c->v, (size_t)c->cap * sizeof *v);
            if (!v) {
                rc = fail(p, PROGRESS_ENOMEM, "out of memory");
                break;
            }
            c->v = v;
        }
        const unsigned char *t = sqlite3_column_text(st, 0);
        if (!(c->v[c->n] = strdup(t ? (const char *)t : ""))) {
            rc = fail(p, PROGRESS_ENOMEM, "out of memory");
            break;
        }
        c->n++;
    }
    sqlite3_finalize(st);
    if (!rc && s != SQLITE_DONE)
        rc = fail_db(p, s, "reading progress");
    return rc;
}

int progress_list(progress *p, const char *learner,
                  int (*fn)(const progress_rec *rec, void *ctx), void *ctx)
{
    if (!progress_name_ok(learner))
        return fail(p, PROGRESS_EINVAL, "'%s' is not a usable learner name", learner ? learner : "");
    names_ctx c = { .sql = "SELECT lesson FROM lesson_progress JOIN learner ON learner.id = learner_id "
                           "WHERE learner.name = :text ORDER BY lesson",
                    .text = learner };
    int rc = tx_run(p, false, names_body, &c);
    p->skipped_names = 0;
    for (int i = 0; !rc && i < c.n; i++) {
        /* The file can be edited by anyone: a name that could not have been saved here
         * (a '/', a leading '.') is skipped, so it never reaches a path or a screen. */
        if (!progress_name_ok(c.v[i])) {
            p->skipped_names++;
            continue;
        }
        progress_rec rec;
        rc = progress_get(p, learner, c.v[i], &rec);
        if (!rc)
            rc = fn(&rec, ctx);
        progress_rec_free(&rec);
    }
    names_clear(&c);
    return rc;
}

int progress_list_skipped(const progress *p)
{
    return p->skipped_names;
}

int progress_learners(progress *p, int (*fn)(const char *name, void *ctx), void *ctx)
{
    names_ctx c = { .sql = "SELECT name FROM learner ORDER BY name" };
    int rc = tx_run(p, false, names_body, &c);
    for (int i = 0; !rc && i < c.n; i++)
        rc = fn(c.v[i], ctx);
    names_clear(&c);
    return rc;
}
