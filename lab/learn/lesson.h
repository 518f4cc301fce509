/*
 * lesson.h: a lesson, as data. One file per lesson in lessons/, NN-slug.lesson; a teacher
 * writes one with no C. The format (documented for teachers in lessons/README.md):
 *
 *   # comments and blank lines between sections are ignored
 *   id: dirty-read                       unique, [a-z0-9-]
 *   number: 5                            1..20 in the curriculum (0 for extra lessons)
 *   title: Dirty read
 *   part: 1                              1 ACID, 2 BASE, 3 both
 *   concepts: isolation levels, READ UNCOMMITTED, G1a
 *   refs: 000:310-335, 002:36-56         lines of the source texts (shared/seeds)
 *   controls: sessions isolation crash   the moves offered beyond the queue (lesson_control
 *                                        below; default: all)
 *
 *   story:                               one or more pages, separated by a line "---"
 *     Text, indented by two spaces. ...
 *
 *   setup:                               scenario lines run before the learner starts
 *     setup: CREATE TABLE accounts ...
 *
 *   moves:                               scenario lines queued for the learner to step
 *     T1: BEGIN                          (1..9 step a session, n the next line)
 *
 *   goal <name> [weight N]: <what the learner should make happen, in words>
 *     expect anomaly G1a                 every line must hold (expectations of the
 *     expect T2 level READ UNCOMMITTED   scenario language, plus `expect Tn level L`)
 *   why: <shown when the goal is met: why it happened; may cite the finding>
 *
 *   hint: <progressive hints, in order>
 *   hint: ...
 *
 *   explain:                             the closing explanation, indented
 *     ...
 *
 *   solution:                            a reference solution: scenario lines that,
 *     T1: BEGIN                          run after the setup, meet every goal
 *
 * Errors are reported as FILE:LINE:COL: message; a broken lesson is listed as broken and
 * never stops the lab from starting. lesson.c's header has the reading rules in detail
 * (indentation, blank lines, comments, limits).
 */
#ifndef AB_LESSON_H
#define AB_LESSON_H

#include <stdbool.h>
#include <stdio.h>

#define LESSON_GOALS_MAX 16
#define LESSON_HINTS_MAX 16
#define LESSON_FILE_MAX 65536    /* bytes per file */
#define LESSON_LINE_MAX 4095     /* bytes per line */

/* Where a stored line was written: its line, and the column of its first character (lines
 * are stored without their indentation; columns count characters, a tab as one). */
typedef struct lesson_pos {
    int line, col;
} lesson_pos;

typedef struct lesson_goal {
    char name[48];
    int weight;                  /* default 1 */
    char *text;                  /* what to make happen */
    char *why;                   /* shown once met; may be NULL */
    int nchecks;
    char **checks;               /* expect lines ("expect anomaly G1a") */
    int line;                    /* where it was written */
    int name_col;                /* column of its name */
    lesson_pos *check_pos;       /* where each check was written */
} lesson_goal;

/* The classes of scenario lines a learner may give (a key or a `:` line), each a control
 * a lesson offers or not. A line taken from the lesson's own queue (n, or a session's key)
 * needs none; say:, expect and predict: lines need none. Groups name several at once:
 * engine = sync checkpoint evict frames; network = cut partition heal delay loss;
 * replicas = requests down up; time = tick gossip settle. */
typedef enum {
    LC_SESSIONS = 0,   /* T1..T9: a statement that sets no isolation level */
    LC_ISOLATION,      /* SET TRANSACTION ISOLATION LEVEL, BEGIN ISOLATION LEVEL ... (key i) */
    LC_CRASH,          /* engine: crash, engine: crash torn (key !) */
    LC_SYNC,           /* engine: sync ..., engine: flush */
    LC_CHECKPOINT,     /* engine: checkpoint */
    LC_EVICT,          /* engine: evict */
    LC_FRAMES,         /* engine: frames n */
    LC_REQUESTS,       /* a client's request: n1: PUT ..., alice@n2: GET ... */
    LC_SETTINGS,       /* cluster: ... */
    LC_CUT,            /* net: cut (both ways or one way; key c) */
    LC_PARTITION,      /* net: partition, two groups or more (key p) */
    LC_HEAL,           /* net: heal, one link or all (key h) */
    LC_DOWN,           /* net: down (key d on an up replica) */
    LC_UP,             /* net: up (key d on a down replica) */
    LC_DELAY,          /* net: delay */
    LC_LOSS,           /* net: loss */
    LC_TICK,           /* run: tick (key t) */
    LC_GOSSIP,         /* run: gossip (key g) */
    LC_SETTLE,         /* run: settle (key s) */
    LC_TABLES,         /* setup: (a table or rows made mid-lesson) */
    LC_COUNT
} lesson_control;
#define LC_NONE (-1)   /* a line that needs no control */
#define LC_ALL ((1u << LC_COUNT) - 1)

typedef struct lesson {
    char *path;
    char id[48];
    int number;
    char *title;
    int part;
    char *concepts, *refs;
    char controls[256];          /* the controls offered, as fine names ("" = all) */
    unsigned control_mask;       /* bit c for lesson_control c; LC_ALL when not given */
    char hash[17];               /* content hash: 16 hex digits over the id, setup, moves and
                                    goals (what a saved attempt depends on; lesson_hash) */
    int npages;
    char **pages;                /* story pages, text with newlines */
    int nsetup, nmoves, nsolution;
    char **setup, **moves, **solution;
    lesson_pos *setup_pos, *moves_pos, *solution_pos;
    lesson_pos id_pos, number_pos; /* where id: and number: were given (values) */
    int ngoals;
    lesson_goal goals[LESSON_GOALS_MAX];
    int nhints;
    char *hints[LESSON_HINTS_MAX];
    char *explain;
    /* a lesson that failed to load: shown as broken */
    bool broken;
    char error[512];             /* FILE:LINE:COL: message */
} lesson;

typedef struct lesson_set {
    int n;
    lesson *v;                   /* sorted by number (0, extra lessons, last), then id */
} lesson_set;

/* Parses one file. Returns 0, or -1 with l->broken and l->error set (l is still usable for
 * listing: path and whatever id/title were read). */
int lesson_load(const char *path, lesson *l);
/* The same for text already in memory (len bytes, no NUL needed); name is used in messages. */
int lesson_parse(const char *name, const char *text, size_t len, lesson *l);
void lesson_free(lesson *l);

/* Every *.lesson in dir (when dir is NULL: $ACIDBASE_LESSONS, else the first of lessons/,
 * beside the program, $PREFIX/share/acidbase/lessons that exists). Never fails for a broken lesson; -1 only if no directory. */
int lesson_load_all(const char *dir, lesson_set *set);
void lesson_set_free(lesson_set *set);
/* The directory lesson_load_all(NULL, ...) reads: the first that exists of lessons/, the
 * lessons/ beside the executable, $PREFIX/share/acidbase/lessons, /usr/share/acidbase/lessons.
 * NULL when none does. */
const char *lesson_default_dir(char *buf, size_t n);
/* By id, or by its number ("4", "04") as text (also the file's name without .lesson). A
 * broken lesson is found too (a working one first when two match): check ->broken. */
lesson *lesson_find(lesson_set *set, const char *id_or_number);

/* The id of set closest to name (a typo), or NULL: for "did you mean". */
const char *lesson_suggest(const lesson_set *set, const char *name);

/* The control line needs (LC_NONE: none, or it does not parse). */
int lesson_line_control(const char *line);
const char *lesson_control_name(int c);          /* "crash" */
const char *lesson_control_what(int c);          /* "crashing the engine" */
/* Does lesson l offer line as a move of the learner's own (a key or a `:` line, not a line
 * taken from its queue)? When not, why says so in a sentence the lab shows ("this lesson
 * does not offer crashing the engine (crash); it offers: sessions isolation"). A lesson
 * without controls: offers everything; so does l NULL (the sandbox). */
bool lesson_allows(const lesson *l, const char *line, char *why, size_t n);

/* The content hash of a loaded lesson (FNV-1a, 64 bits, as 16 hex digits) over its id,
 * setup, moves and goals (names and checks): what a saved attempt and a trace depend on.
 * The story, hints and explanation are left out, so rewording them keeps saved attempts.
 * Progress and traces store it; a lesson whose hash differs from the one saved has changed
 * since, and the lab starts it afresh instead of replaying the old steps. */
void lesson_hash(const lesson *l, char out[17]);

/* "one machine, ACID", "many machines, BASE", "both sides"; "" for another part. */
const char *lesson_part_name(int part);

#endif
