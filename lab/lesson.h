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
 *   controls: sessions isolation crash   keys offered: sessions isolation crash engine
 *                                        network replicas time (default: all)
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
 * never stops the lab from starting.
 */
#ifndef AB_LESSON_H
#define AB_LESSON_H

#include <stdbool.h>
#include <stdio.h>

#define LESSON_GOALS_MAX 16
#define LESSON_HINTS_MAX 16

typedef struct lesson_goal {
    char name[48];
    int weight;                  /* default 1 */
    char *text;                  /* what to make happen */
    char *why;                   /* shown once met; may be NULL */
    int nchecks;
    char **checks;               /* expect lines ("expect anomaly G1a") */
    int line;                    /* where it was written */
} lesson_goal;

typedef struct lesson {
    char *path;
    char id[48];
    int number;
    char *title;
    int part;
    char *concepts, *refs;
    char controls[128];          /* "" = all */
    int npages;
    char **pages;                /* story pages, text with newlines */
    int nsetup, nmoves, nsolution;
    char **setup, **moves, **solution;
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
    lesson *v;                   /* sorted by number, then id */
} lesson_set;

/* Parses one file. Returns 0, or -1 with l->broken and l->error set (l is still usable for
 * listing: path and whatever id/title were read). */
int lesson_load(const char *path, lesson *l);
void lesson_free(lesson *l);

/* Every *.lesson in dir (the first of lessons/, $PREFIX/share/acidbase/lessons that
 * exists when dir is NULL). Never fails for a broken lesson; -1 only if no directory. */
int lesson_load_all(const char *dir, lesson_set *set);
void lesson_set_free(lesson_set *set);
/* By id, or by its number "1".."20" as text. */
lesson *lesson_find(lesson_set *set, const char *id_or_number);

/* Checks a lesson: it parses; its setup and goals' checks are valid; the goals are not
 * met after the setup alone; the reference solution meets every goal. Writes what it
 * found to out; returns 0 when all is well. */
int lesson_verify(const lesson *l, FILE *out);

#endif
