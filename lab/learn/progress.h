/*
 * progress.h: the learners' progress, kept in one SQLite database so that quitting the lab
 * and coming back resumes every lesson where it was left.
 *
 * Where: the path given (--db), else $ACIDBASE_DB, else $XDG_DATA_HOME/acidbase/progress.db,
 * else ~/.local/share/acidbase/progress.db. Directories the store creates are 0700 and the
 * database file 0600 (its -wal and -shm files take the file's mode).
 *
 * What: learners by name; per learner and lesson a status (new, started, done), the goals
 * met and when (ISO-8601 UTC, wall clock: metadata only, never seen by the engines), the
 * attempts, hints used, time spent, the last story page seen, and the learner's scenario so
 * far: the seed and every line given to the runner, so reopening the lesson replays them.
 *
 * Schema (PRAGMA user_version; progress.c has the SQL and the migrations):
 *   version 1  learner(id, name UNIQUE, created)
 *              lesson_progress(learner_id, lesson, status, attempts, page, seed, started,
 *                              updated)                      key (learner_id, lesson)
 *              goal_met(learner_id, lesson, goal, met_at)    key (learner_id, lesson, goal)
 *              scenario_line(learner_id, lesson, n, text)    key (learner_id, lesson, n)
 *   version 2  lesson_progress gains hints_used and time_spent (seconds), both 0 for rows
 *              written by version 1.
 *   version 3  lesson_progress gains content_hash: the lesson's content hash (lesson.h,
 *              lesson_hash) when the saved lines were made, '' for rows written before.
 *
 * Invariants:
 *   1. Every change is one transaction begun with BEGIN IMMEDIATE, and counters change by
 *      UPDATE ... SET n = n + k inside it, so two labs writing at once lose no update. A
 *      busy database is waited for (busy_timeout) and the transaction retried; SQLITE_BUSY
 *      never reaches the caller before PROGRESS_BUSY_TRIES attempts.
 *   2. The database is in WAL mode, so a lab reading never blocks one writing.
 *   3. Only a file that is ours is ever written, moved or migrated: a regular file with
 *      SQLite's header and our application_id (0x41434442, "ACDB", set by the first
 *      migration since the first release). Any other file at the path (not SQLite, an
 *      empty file, another program's database, a FIFO) is refused and left untouched
 *      (progress_refused). A file of ours that fails integrity_check, or carries a
 *      user_version newer than this lab knows, is never written: it is renamed to
 *      PATH.corrupt-N (the first free N, with its -wal) and a fresh database created.
 *      A new database is built under a temporary name and given its name only when whole.
 *   4. The store always opens (short of running out of memory): when the file cannot be
 *      created or written, progress lives in memory (starting from a copy of what the file
 *      holds, when it can be read) and progress_warning() says so. Callers show the warning
 *      and carry on.
 *
 * Not here: what a lesson is (lesson.h), checking goals (the TUI asks the runner), the
 * `acidbase progress` command (progresscmd.h).
 *
 * Errors: functions return PROGRESS_OK (0) or a PROGRESS_* code; progress_strerror names
 * the code and progress_errmsg(p) gives the last failure's details.
 */
#ifndef AB_PROGRESS_H
#define AB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRESS_SCHEMA_VERSION 3
#define PROGRESS_NAME_MAX 64        /* learner names and lesson ids, in bytes */
#define PROGRESS_BUSY_TIMEOUT_MS 5000
#define PROGRESS_BUSY_TRIES 20

enum {
    PROGRESS_OK = 0,
    PROGRESS_EINVAL,    /* a bad argument: an empty or unusable learner name, lesson id */
    PROGRESS_EDB,       /* SQLite failed (details in progress_errmsg) */
    PROGRESS_EBUSY,     /* still busy after every retry */
    PROGRESS_ENOMEM,
    PROGRESS_EIO,       /* a file or directory operation failed */
};

typedef enum progress_status {
    PROGRESS_NEW = 0,
    PROGRESS_STARTED,
    PROGRESS_DONE,
} progress_status;

typedef struct progress progress;

typedef struct progress_goal {
    char name[PROGRESS_NAME_MAX + 1];
    char met_at[32];                /* "2025-03-01T14:02:11Z" */
} progress_goal;

/* One learner's record of one lesson. A lesson never touched reads as status NEW, zeros. */
typedef struct progress_rec {
    char lesson[PROGRESS_NAME_MAX + 1];
    progress_status status;
    int attempts;
    int hints_used;
    int64_t time_spent;             /* seconds */
    int page;                       /* last story page seen, 0 = the first */
    uint64_t seed;                  /* the runner's seed for the saved lines */
    char hash[17];                  /* the lesson's content hash they were made under, "" unknown */
    char started[32], updated[32];  /* "" when never */
    int ngoals;
    progress_goal *goals;           /* in the order they were met */
    int nlines;
    char **lines;                   /* the scenario so far, line i given as line number i+1 */
} progress_rec;

/* ---- opening ------------------------------------------------------------------------ */

/* The database path for an explicit --db (NULL when none): the option, $ACIDBASE_DB,
 * $XDG_DATA_HOME (absolute only, as the XDG spec says), then $HOME or the password
 * database's home. PROGRESS_EINVAL when there is no home to put it in. */
int progress_default_path(const char *db_opt, char *buf, size_t n);
/* The learner for an explicit --user (NULL when none): the option, else the login name
 * (getpwuid, then $USER), else "learner". */
int progress_default_learner(const char *user_opt, char *buf, size_t n);
/* A learner name or lesson id is 1..PROGRESS_NAME_MAX bytes, no '/', '\\' or control
 * characters, not starting with '.' (both end up in file names of exports). */
bool progress_name_ok(const char *name);

/* Opens (creating, moving aside or falling back to memory as needed; invariants 3, 4) the
 * store at path, or at progress_default_path(NULL) when path is NULL. Fails only when
 * nothing at all can be opened (PROGRESS_ENOMEM, PROGRESS_EDB); *out is then NULL. */
int progress_open(const char *path, progress **out);
/* For commands that only show progress: never creates, moves or writes a file. A missing
 * database is an empty store ("no progress yet"); a file of ours is read into memory; a
 * file that is not ours is refused as progress_open does. */
int progress_open_readonly(const char *path, progress **out);
void progress_close(progress *p);

/* What the caller should show once, or NULL: the file was moved aside, or progress is
 * not being saved. */
const char *progress_warning(const progress *p);
/* The database file in use; progress_saved is false when the store lives in memory. */
const char *progress_path(const progress *p);
bool progress_saved(const progress *p);
/* True when the file at the path is not an acidbase progress database: it was refused and
 * left untouched, the warning says what it is, and the store is an empty one in memory.
 * The commands exit 2 on it (their --help says so). */
bool progress_refused(const progress *p);

const char *progress_strerror(int code);
/* The last failure's message ("" when none). */
const char *progress_errmsg(const progress *p);

/* ---- learners ------------------------------------------------------------------------ */

/* Calls fn for every learner, by name; fn returns non-zero to stop (and that is returned). */
int progress_learners(progress *p, int (*fn)(const char *name, void *ctx), void *ctx);

/* ---- reading ------------------------------------------------------------------------- */

/* One lesson's record (free it with progress_rec_free). */
int progress_get(progress *p, const char *learner, const char *lesson, progress_rec *rec);
void progress_rec_free(progress_rec *rec);
/* Every lesson the learner has a record of, by lesson id; fn returns non-zero to stop
 * (and that is returned). The record is freed after fn returns. */
int progress_list(progress *p, const char *learner,
                  int (*fn)(const progress_rec *rec, void *ctx), void *ctx);
/* Records the last progress_list skipped because their lesson name is not one this lab
 * writes (progress_name_ok): an edited or damaged file. */
int progress_list_skipped(const progress *p);

const char *progress_status_name(progress_status s);
/* "new", "started", "done" -> 0 with *s; -1 for anything else. */
int progress_status_parse(const char *name, progress_status *s);

/* ---- writing: one transaction each --------------------------------------------------- */

/* A new attempt: attempts + 1, the saved lines cleared, status NEW -> STARTED (a DONE
 * lesson stays DONE), goals met kept. The TUI calls it when a lesson is opened with
 * nothing to resume, or restarted. */
int progress_attempt(progress *p, const char *learner, const char *lesson);
/* Replaces the saved scenario: the seed and the lines run so far (NEW -> STARTED). */
int progress_save_lines(progress *p, const char *learner, const char *lesson, uint64_t seed,
                        const char *const *lines, int n);
/* Records a goal as met now; a goal met before keeps its first time. *first (may be NULL)
 * says whether this call was the first. */
int progress_goal_met(progress *p, const char *learner, const char *lesson, const char *goal,
                      bool *first);
int progress_hint(progress *p, const char *learner, const char *lesson);
/* The content hash of the lesson as the saved lines were made (lesson_hash: 16 hex
 * digits); a lab that finds another one starts the lesson afresh instead of replaying. */
int progress_set_hash(progress *p, const char *learner, const char *lesson, const char *hash);
int progress_add_time(progress *p, const char *learner, const char *lesson, int64_t seconds);
int progress_set_page(progress *p, const char *learner, const char *lesson, int page);
int progress_set_status(progress *p, const char *learner, const char *lesson, progress_status s);
/* Forgets one lesson (lesson != NULL) or all of the learner's lessons; the learner stays. */
int progress_reset(progress *p, const char *learner, const char *lesson);

#endif
